"""Low-confidence messages get the two likeliest topics as buttons, in the user's language."""

from actions.fallback import ActionRephrase, likely_topics
from actions.services.responses import response_text
from tests.actions.conftest import make_tracker


def parse(ranking, faq=None, **detection):
    data = {"intent": {"name": "nlu_fallback"},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "language_detection": {"reliable": False, "supported": True, **detection}}
    if faq:
        data["response_selector"] = {"faq": {"ranking": [{"intent_response_key": k} for k in faq]}}
    return data


def test_likely_topics_skip_intents_without_topic_and_resolve_faq(domain):
    data = parse([("nlu_fallback", 0.5), ("greet", 0.2), ("faq", 0.15), ("ask_funding", 0.1)],
                 faq=["faq/cost", "faq/privacy"])
    assert likely_topics(data, domain) == ["faq/cost", "ask_funding"]


async def test_rephrase_offers_buttons_in_the_users_language(dispatcher, domain):
    data = parse([("nlu_fallback", 0.5), ("find_partner", 0.3), ("faq", 0.1)], faq=["faq/cost"])
    await ActionRephrase().run(dispatcher, make_tracker(data, {"language": "de"}), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_rephrase"
    titles = [b["title"] for b in message["buttons"]]
    assert titles == [response_text(domain, "utter_topic_find_partner", "de"),
                      response_text(domain, "utter_topic_faq_cost", "de")]
    find_partner, cost = message["buttons"]
    assert find_partner["payload"] == "/find_partner"
    assert cost["payload"] == cost["title"]  # an FAQ button sends its question
    assert all(t not in ("Find a partner", "Does it cost anything?") for t in titles)


async def test_rephrase_without_topics_asks_plainly(dispatcher, domain):
    data = parse([("nlu_fallback", 0.9), ("greet", 0.1)])
    await ActionRephrase().run(dispatcher, make_tracker(data, {"language": "it"}), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_default"]


async def test_unsupported_language_lists_the_languages(dispatcher, domain):
    data = parse([("nlu_fallback", 1.0)], language="es", reliable=True, supported=False)
    await ActionRephrase().run(dispatcher, make_tracker(data, {"language": "en"}), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_language_options"]
