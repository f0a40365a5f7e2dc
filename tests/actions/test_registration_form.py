"""The registration form's rules, run on rasa-sdk trackers (no model needed)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.registration import ValidateRegistrationForm
from actions.services.numbers import parse_head_count
from actions.services.places import countries_in, country_in_answer, country_of


def message(text: str, intent: str = "inform", confidence: float = 0.95, entities: list | None = None) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}


def entity(name: str, value: Any, role: str | None = None) -> dict:
    return {"entity": name, "value": value, **({"role": role} if role else {})}


def form_tracker(latest: dict, slots: dict, started_by: dict | None = None) -> Tracker:
    """A tracker inside the registration form, started by `started_by` (default: the latest message)."""
    events: list[dict] = []
    if started_by is not None:
        events += [{"event": "user", "parse_data": started_by},
                   {"event": "active_loop", "name": "registration_form"}]
    events.append({"event": "user", "parse_data": latest})
    base = {"language": "en", "registration_kind": "registration", "consent": True}
    return Tracker(sender_id="form-test", slots={**base, **slots}, latest_message=latest, events=events,
                   paused=False, followup_action=None, active_loop={"name": "registration_form"},
                   latest_action_name="action_listen")


async def run_form(tracker: Tracker, dispatcher, domain) -> dict[str, Any]:
    events = await ValidateRegistrationForm().run(dispatcher, tracker, domain)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.parametrize("text, language, count", [
    ("about forty", "en", 40), ("we are 8", "en", 8), ("1,500 staff", "en", 1500),
    ("rund 40 Mitarbeiter", "de", 40), ("zweiundvierzig", "de", 42), ("ein Dutzend", "de", 12),
    ("une quarantaine", "fr", 40), ("on est une PME de quarante", "fr", 40), ("quatre-vingt-dix-neuf", "fr", 99),
    ("una quarantina", "it", 40), ("quarantadue", "it", 42), ("duecentocinquanta", "it", 250),
    ("około 40 osób", "pl", 40), ("czterdzieści dwie osoby", "pl", 42), ("pół setki", "pl", 50),
])
def test_head_counts_in_words_and_digits(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("between 40 and 50", "en", 45), ("40 to 50", "en", 45), ("40-50", "en", 45), ("somewhere between 8 and 11 people", "en", 10),
    ("two or three of us", "en", 3), ("zwischen 40 und 50", "de", 45), ("so 20 bis 30 Leute", "de", 25),
    ("zwischen zwanzig und dreißig", "de", 25), ("entre 40 et 50", "fr", 45), ("de 15 à 20 salariés", "fr", 18),
    ("entre quarante et cinquante personnes", "fr", 45), ("tra 40 e 50", "it", 45), ("tra i 60 e i 70 dipendenti", "it", 65),
    ("da 10 a 12 persone", "it", 11), ("między 40 a 50", "pl", 45), ("od 30 do 35 osób", "pl", 33),
    ("między dwudziestu a trzydziestu pracowników", "pl", 25), ("70 – 80 Mitarbeiter", "de", 75),
    ("dai 30 ai 40 dipendenti", "it", 35),
])
def test_a_range_counts_as_its_middle(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("two founders and three employees", "en", 5), ("3 engineers, 2 salespeople and one intern", "en", 6),
    ("zwei Gründer und drei Angestellte", "de", 5), ("4 Entwickler und 2 Werkstudenten", "de", 6),
    ("deux associés et trois salariés", "fr", 5), ("un gérant et six techniciens", "fr", 7),
    ("due soci e tre dipendenti", "it", 5), ("5 sviluppatori e 2 stagisti", "it", 7),
    ("dwóch wspólników i trzech pracowników", "pl", 5), ("czterech programistów i dwie osoby w biurze", "pl", 6),
    ("40-50 people and 3 freelancers", "en", 48),
    ("4 en CDI et 2 en CDD", "fr", 6), ("four full-time and two part-time", "en", 6),
    ("vier in Vollzeit und zwei in Teilzeit", "de", 6), ("4 a tempo pieno e 2 part-time", "it", 6),
    ("4 na etacie i 2 na zleceniu", "pl", 6), ("three in the office and nine in production", "en", 12),
    ("2 GF, 6 Entwickler und eine Teilzeitkraft", "de", 9),
])
def test_groups_of_people_add_up(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("we are 12 and growing", "en", 12), ("40 employees, 2 of them founders", "en", 40),
    ("wir sind 12 und wachsen", "de", 12), ("30 Mitarbeiter, davon 4 Gründer", "de", 30),
    ("quarante salariés dont deux associés", "fr", 40), ("trenta dipendenti di cui due soci", "it", 30),
    ("25 osób, w tym 3 wspólników", "pl", 25), ("forty and fifty", "en", 50),
    ("ein kleines Team, 6 Leute, davon 2 in Teilzeit", "de", 6), ("30 people in 2 teams", "en", 30),
    ("12 engineers with 20 years of experience", "en", 12),
])
def test_counts_that_are_not_separate_groups_do_not_add_up(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language", [
    ("just me", "en"), ("only me for now", "en"), ("it's just myself", "en"), ("nur ich", "de"), ("ich allein", "de"),
    ("moi tout seul", "fr"), ("juste moi", "fr"), ("solo io", "it"), ("sono da solo", "it"), ("tylko ja", "pl"),
    ("sam jestem", "pl"), ("na razie jestem sama", "pl"), ("io e basta", "it"),
])
def test_a_one_person_company_counts_one(text, language):
    assert parse_head_count(text, [language]) == 1


@pytest.mark.parametrize("text, language, count", [
    ("dwadzieścia pięć mniej więcej", "pl", 25), ("trzydzieści kilka osób", "pl", 35), ("kilka, może siedem", "pl", 7),
    ("a handful, maybe 6", "en", 6), ("a handful, maybe three", "en", 3), ("a couple of hundred", "en", 200),
    ("eine Handvoll, genauer gesagt vier", "de", 4), ("sept", "fr", 7), ("dix-sept personnes", "fr", 17),
    ("vingt et un", "fr", 21), ("una manciata, forse 4", "it", 4), ("2,5 tys. pracowników", "pl", 2500),
    ("3k employees", "en", 3000), ("5 kids at home, 9 colleagues", "en", 5), ("S3martMed? we are 40", "en", 40),
])
def test_number_words_next_to_numerals_and_vague_words(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("between 40 and 50", "de", 45), ("zwei Gründer und drei Angestellte", "fr", 5), ("tra 10 e 20", "en", 15),
    ("we are 40", "pl", 40), ("vierzig", "it", 40),
])
def test_a_range_or_a_sum_is_understood_whichever_language_comes_first(text, language, count):
    languages = [language] + [code for code in ("en", "de", "fr", "it", "pl") if code != language]
    assert parse_head_count(text, languages) == count


@pytest.mark.parametrize("text, language, count", [
    ("two dozen", "en", 24), ("half a dozen", "en", 6), ("a few dozen", "en", 36), ("a couple dozen people", "en", 24),
    ("zwei Dutzend", "de", 24), ("ein halbes Dutzend", "de", 6), ("deux douzaines", "fr", 24),
    ("un paio di decine", "it", 20), ("una mezza dozzina", "it", 6), ("pół tuzina", "pl", 6),
    ("a dozen", "en", 12), ("ein Dutzend", "de", 12), ("une douzaine", "fr", 12), ("una decina", "it", 10),
])
def test_a_dozen_multiplies_the_number_before_it(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("me and two others", "en", 3), ("three developers plus me", "en", 4), ("my co-founder and I", "en", 2),
    ("ich und zwei Kollegen", "de", 3), ("mein Partner und ich", "de", 2), ("moi et deux salariés", "fr", 3),
    ("mon associé et moi", "fr", 2), ("io e due collaboratori", "it", 3), ("io e il mio socio", "it", 2),
    ("ja i dwóch pracowników", "pl", 3), ("ja i wspólnik", "pl", 2),
    ("solo io e mio fratello", "it", 2), ("just me and my wife", "en", 2), ("tylko ja i wspólnik", "pl", 2),
    ("wir sind 12 und ich bin der Chef", "de", 12), ("12 including me", "en", 12),
])
def test_the_writer_counts_with_the_others_they_name(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("R&D 3, production 12, admin 2", "en", 17), ("Leeds 10, Manchester 4", "en", 14),
    ("about 30 in Ghent and 12 at our Dutch site", "en", 42), ("Vertrieb 3, Entwicklung 7, Verwaltung 2", "de", 12),
    ("in Berlin 10, in Hamburg 5", "de", 15), ("12 in München und 4 in unserer Niederlassung in Graz", "de", 16),
    ("Produktion: 14, Verwaltung: 4", "de", 18), ("15 à Paris et 10 à Lyon", "fr", 25),
    ("production 20, bureau 5 et 3 commerciaux", "fr", 28), ("30 a Milano e 12 a Torino", "it", 42),
    ("in officina 8, in amministrazione 3", "it", 11), ("5 a Roma e 3 a Milano", "it", 8),
    ("w Warszawie 10, w Łodzi 5", "pl", 15), ("magazyn 6, biuro 4", "pl", 10),
    ("2 osoby na etacie i 1 na pół etatu", "pl", 3),
])
def test_groups_labelled_by_department_or_place_before_or_after_add_up(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("150 staff across two sites", "en", 150), ("30 Mitarbeiter an zwei Standorten", "de", 30),
    ("45 personnes sur trois sites", "fr", 45), ("80 dipendenti in due stabilimenti", "it", 80),
    ("60 osób w dwóch zakładach", "pl", 60),
    ("40 employees: 30 in production, 10 in the office", "en", 40),
    ("40 Mitarbeiter: 30 in der Produktion und 10 im Büro", "de", 40),
])
def test_a_count_of_sites_or_a_total_with_its_breakdown_is_not_added(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("my wife and I plus 2 engineers", "en", 4), ("me, my brother and a secretary", "en", 3),
    ("one intern and me", "en", 2), ("2 people: me and my brother", "en", 2),
    ("mein Mann, ich und zwei Angestellte", "de", 4), ("ich mit meiner Frau und unserem Sohn", "de", 3),
    ("30 Leute plus mich als Geschäftsführer", "de", 31), ("moi, ma femme et mon fils", "fr", 3),
    ("12 salariés + moi (président)", "fr", 13), ("deux personnes : moi et mon frère", "fr", 2),
    ("io, mia moglie e mio figlio", "it", 3), ("io e mia sorella più 2 dipendenti", "it", 4),
    ("sei operai più me, il titolare", "it", 7), ("ja z żoną i dwóch pracowników", "pl", 4),
    ("ja, mój brat i księgowa", "pl", 3), ("dwie osoby: ja i mąż", "pl", 2),
    ("dwóch handlowców, trzech monterów i ja", "pl", 6),
])
def test_the_writer_and_each_person_they_name_count_one(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("20 employees plus 3 contractors who are not counted", "en", 20), ("20 employees without the 3 interns", "en", 20),
    ("we have 9 staff, not counting freelancers", "en", 9),
    ("12 Leute, dazu 3 Freelancer, die zählen wir nicht", "de", 12), ("40 Leute ohne die 3 Azubis", "de", 40),
    ("20 salariés sans compter les 4 intérimaires", "fr", 20),
    ("12, plus 3 freelances qui ne sont pas salariés", "fr", 12),
    ("12 dipendenti, i 3 consulenti esterni non li conto", "it", 12), ("25 persone senza i 2 stagisti", "it", 25),
    ("una dozzina, stagisti esclusi", "it", 12), ("20 osób bez 2 stażystów", "pl", 20),
    ("15 osób, plus 3 podwykonawców, ale ich nie liczymy", "pl", 15),
])
def test_a_group_the_writer_leaves_out_does_not_count(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("about 40 people, exactly 38", "en", 38), ("twelve, eleven to be exact", "en", 11),
    ("over 500 (512 at the last count)", "en", 512), ("about 40 in total, 35 in production", "en", 40),
    ("around 30, 25 full-time", "en", 30), ("ca. 50, genau 47", "de", 47), ("knapp 30, genauer gesagt 28", "de", 28),
    ("une dizaine, 9 exactement", "fr", 9), ("un peu moins de 100, disons 96", "fr", 96),
    ("una ventina, 18 per la precisione", "it", 18), ("oltre 200, per l'esattezza 215", "it", 215),
    ("około 50, dokładnie 48", "pl", 48), ("prawie 100, a dokładnie 97", "pl", 97),
])
def test_an_exact_figure_after_a_rough_one_is_the_count(text, language, count):
    assert parse_head_count(text, [language]) == count


@pytest.mark.parametrize("text, language, count", [
    ("we are twelve, fifteen next year", "en", 12), ("three now, five before covid", "en", 3),
    ("we were 50 last year, now 65", "en", 65), ("we're 20 and currently hiring 5 more", "en", 20),
    ("the 3 founders plus 5 people we took on last year", "en", 8), ("we are 12 and growing, 15 next year", "en", 12),
    ("zwölf jetzt, nächstes Jahr fünfzehn", "de", 12), ("früher waren wir 30, jetzt 22", "de", 22),
    ("nous étions 30, aujourd'hui 25", "fr", 25), ("douze, bientôt quinze", "fr", 12),
    ("ora 20, prima eravamo 25", "it", 20), ("ventidue, l'anno prossimo trenta", "it", 22),
    ("teraz 20, w przyszłym roku 25", "pl", 20), ("dwanaście, wcześniej było piętnaście", "pl", 12),
])
def test_todays_count_wins_over_one_of_another_time(text, language, count):
    assert parse_head_count(text, [language]) == count


def test_a_slash_between_two_numbers_is_a_range():
    assert parse_head_count("20/25", ["en"]) == 23


@pytest.mark.parametrize("text, count", [("fiftyish", 50), ("4 FTE and 2 part-timers", 6), ("often", None),
                                         ("Trento", None), ("stoi", None)])
def test_number_words_inside_other_words(text, count):
    assert parse_head_count(text, ["en", "de", "fr", "it", "pl"]) == count


async def test_a_range_beats_the_one_number_the_nlu_found_in_it(dispatcher, domain):
    latest = message("between 40 and 50", entities=[entity("employees", "40"), entity("employees", "50")])
    slots = await run_form(form_tracker(latest, {"requested_slot": "employees"}), dispatcher, domain)
    assert slots["employees"] == 45.0


async def test_of_several_numbers_the_one_the_nlu_found_is_the_head_count(dispatcher, domain):
    latest = message("founded in 2015, today 40 people", entities=[entity("employees", "40")])
    slots = await run_form(form_tracker(latest, {"requested_slot": "employees"}), dispatcher, domain)
    assert slots["employees"] == 40.0


def test_a_name_without_numbers_is_no_head_count():
    assert parse_head_count("Medisens", ["en", "de", "fr", "it", "pl"]) is None


@pytest.mark.parametrize("place, code", [
    ("Katowice", "PL"), ("Turin", "IT"), ("Torino", "IT"), ("Piémont", "IT"), ("Piemont", "IT"),
    ("Lüttich", "BE"), ("Liège", "BE"), ("Stuttgart", "DE"), ("Lyon", "FR"), ("Medisens", None),
])
def test_places_in_any_language_resolve_to_a_country(place, code):
    assert country_of(place) == code


def test_several_regions_in_one_answer():
    assert countries_in("Piemont und Wallonien") == ["IT", "BE"]


async def test_nothing_personal_is_taken_before_consent(dispatcher, domain):
    latest = message("We are Medisens, 40 people in Lyon", "register_interest",
                     entities=[entity("company_name", "Medisens"), entity("employees", "40")])
    slots = await run_form(form_tracker(latest, {"consent": None, "requested_slot": "consent"}), dispatcher, domain)
    assert "company_name" not in slots and "employees" not in slots


async def test_consent_takes_the_details_given_up_front(dispatcher, domain):
    trigger = message("We are Medisens, 40 people in Lyon, we'd like to register", "register_interest",
                      entities=[entity("company_name", "Medisens"), entity("employees", "40"),
                                entity("location", "FR")])
    slots = await run_form(form_tracker(message("yes", "affirm"), {"consent": None, "requested_slot": "consent"},
                                        started_by=trigger), dispatcher, domain)
    assert slots["consent"] is True
    assert (slots["company_name"], slots["employees"], slots["country"]) == ("Medisens", 40.0, "FR")
    assert slots["requested_slot"] == "contact_name"


async def test_refused_consent_ends_the_form(dispatcher, domain):
    slots = await run_form(form_tracker(message("no thanks", "deny"), {"consent": None, "requested_slot": "consent"}),
                           dispatcher, domain)
    assert slots["consent"] is False and slots["requested_slot"] is None


async def test_a_bad_email_is_asked_again_and_the_third_try_offers_a_way_out(dispatcher, domain):
    slots = await run_form(form_tracker(message("claire at medisens"), {"requested_slot": "email"}), dispatcher, domain)
    assert slots["email"] is None and slots["failed_attempts"] == 1
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_email"]
    dispatcher.messages.clear()
    await run_form(form_tracker(message("still no"), {"requested_slot": "email", "failed_attempts": 2}),
                   dispatcher, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_email", "utter_way_out"]


async def test_an_faq_question_is_left_to_the_rules(dispatcher, domain):
    slots = await run_form(form_tracker(message("why do you need this?", "faq"), {"requested_slot": "company_name"}),
                           dispatcher, domain)
    assert "company_name" not in slots


async def test_target_regions_become_cluster_codes(dispatcher, domain):
    latest = message("Piemont und Wallonien")
    slots = await run_form(form_tracker(latest, {"requested_slot": "target_regions", "language": "de"}),
                           dispatcher, domain)
    assert slots["target_regions"] == ["biopmed", "biowin"]


async def test_a_correction_replaces_the_email_at_the_summary(dispatcher, domain):
    latest = message("actually my e-mail is claire.martin@medisens.fr")
    slots = await run_form(form_tracker(latest, {"requested_slot": "registration_confirmed",
                                                 "email": "claire@medisens.fr"}), dispatcher, domain)
    assert slots["email"] == "claire.martin@medisens.fr"


async def test_a_contact_request_skips_sector_interests_and_regions(dispatcher, domain):
    filled = {"company_name": "Cardiotech", "contact_name": "Piotr", "email": "p@cardiotech.pl",
              "registration_kind": "contact_request", "requested_slot": "country"}
    slots = await run_form(form_tracker(message("Gliwice"), filled), dispatcher, domain)
    assert slots["country"] == "PL" and slots["requested_slot"] == "registration_confirmed"


async def test_a_short_answer_to_a_name_question_is_the_name_whatever_it_resembles(dispatcher, domain):
    latest = message("Erasemed", "delete_my_data", confidence=0.97)
    slots = await run_form(form_tracker(latest, {"requested_slot": "company_name"}), dispatcher, domain)
    assert slots["company_name"] == "Erasemed"


@pytest.mark.parametrize("text, code", [
    ("pod Mediolanem", "IT"), ("koło Turynu", "IT"), ("pas loin de Bergame", "IT"), ("Stutgart", "DE"),
    ("nicht weit von Freiburg", "DE"),
])
def test_an_inflected_or_misspelt_place_answers_the_country_question(text, code):
    assert country_in_answer(text) == code


@pytest.mark.parametrize("text", [
    "I would rather not say", "nous sommes une petite entreprise", "wir sind ein kleines Unternehmen",
    "jesteśmy małą firmą rodzinną", "preferisco non rispondere", "remote company, everyone works from home",
])
def test_words_that_name_no_place_name_no_country(text):
    assert country_in_answer(text) is None


async def test_a_place_the_nlu_split_in_two_is_read_whole(dispatcher, domain):
    latest = message("Repubblica di San Marino", entities=[entity("location", "San"), entity("location", "Marino")])
    slots = await run_form(form_tracker(latest, {"requested_slot": "country", "language": "it"}), dispatcher, domain)
    assert slots["country"] == "SM"


async def test_asked_for_the_country_a_place_is_the_country_even_if_tagged_as_target(dispatcher, domain):
    latest = message("Stuttgart", entities=[entity("location", "DE", role="target")])
    slots = await run_form(form_tracker(latest, {"requested_slot": "country"}), dispatcher, domain)
    assert slots["country"] == "DE" and "target_regions" not in slots


@pytest.mark.parametrize("requested, expected", [("target_regions", []), ("event_id", "none")])
async def test_the_no_preference_button_answers_the_question(requested, expected, dispatcher, domain):
    payload = {"text": "/deny", "intent": {"name": "deny", "confidence": 1.0}, "entities": []}
    filled = {"interests": ["events"], "requested_slot": requested}
    slots = await run_form(form_tracker(payload, filled), dispatcher, domain)
    assert slots[requested] == expected


async def test_a_company_name_with_a_region_in_it_stays_one_name(dispatcher, domain):
    latest = message("Telemed Piemonte Srl", entities=[
        {"entity": "company_name", "value": "Telemed", "start": 0, "end": 7},
        {"entity": "location", "value": "IT", "role": "target", "start": 8, "end": 16}])
    slots = await run_form(form_tracker(latest, {"requested_slot": "company_name", "language": "it"}),
                           dispatcher, domain)
    assert slots["company_name"] == "Telemed Piemonte Srl" and "target_regions" not in slots


async def test_a_company_name_keeps_its_final_full_stop(dispatcher, domain):
    latest = message("Ortomed S.r.l.", entities=[{"entity": "company_name", "value": "Ortomed S.r.l", "start": 0, "end": 13}])
    slots = await run_form(form_tracker(latest, {"requested_slot": "company_name", "language": "it"}),
                           dispatcher, domain)
    assert slots["company_name"] == "Ortomed S.r.l."


async def test_no_to_the_last_question_before_the_summary_still_shows_the_summary(dispatcher, domain):
    from actions.registration import ActionAskRegistrationConfirmed

    no = message("no preference", "deny")
    asked_regions = [{"event": "slot", "name": "requested_slot", "value": "target_regions"},
                     {"event": "user", "parse_data": no}]
    tracker = Tracker("t", {"language": "en", "company_name": "Medisens"}, no, asked_regions, False, None,
                      {"name": "registration_form"}, "action_listen")
    await ActionAskRegistrationConfirmed().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_registration_summary"]

    dispatcher.messages.clear()
    asked_summary = [{"event": "slot", "name": "requested_slot", "value": "registration_confirmed"},
                     {"event": "user", "parse_data": no}]
    tracker = Tracker("t", {"language": "en"}, no, asked_summary, False, None, {"name": "registration_form"},
                      "action_listen")
    await ActionAskRegistrationConfirmed().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_correction"]


async def test_almost_with_the_correction_in_it_shows_the_corrected_summary(dispatcher, domain):
    from actions.registration import ActionAskRegistrationConfirmed

    almost = message("prawie, ale kraj to Czechy", entities=[entity("location", "CZ")])
    events = [{"event": "slot", "name": "requested_slot", "value": "registration_confirmed"},
              {"event": "user", "parse_data": almost}, {"event": "slot", "name": "country", "value": "CZ"}]
    tracker = Tracker("t", {"language": "pl", "country": "CZ"}, almost, events, False, None,
                      {"name": "registration_form"}, "action_listen")
    await ActionAskRegistrationConfirmed().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_registration_summary"]
