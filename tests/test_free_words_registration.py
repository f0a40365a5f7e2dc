"""Whole registrations answered only in free words (no button payloads), in the five languages.

Against the running assistant, like tests/test_registration.py: the SME opens with a greeting
and its wish, describes what the company makes instead of naming a sector, mentions webinars
among its interests, has no preferred region and no chosen event, and says yes in its own way.
The lead must be stored with the right values and routed to the right cluster.
"""

from __future__ import annotations

import pytest

from tests.test_registration import converse

# (message, the slot the form asks for next); None = the form is over.
FREE_WORDS = {
    "en": ([
        ("Hiya! We'd love to sign our company up", "consent"),
        ("sure, go ahead", "company_name"),
        ("Orthoflex", "contact_name"),
        ("Fiona Walsh", "email"),
        ("fiona.walsh@orthoflex.ie", "country"),
        ("we're based in Cork", "employees"),
        ("roughly 25 of us", "sector"),
        ("we design custom-made orthopaedic braces and knee supports", "interests"),
        ("mainly the webinars, and meeting distributors", "target_regions"),
        ("honestly any region is fine", "event_id"),
        ("haven't decided yet", "registration_confirmed"),
        ("all good, go ahead", None),
    ], {"country": "IE", "employees": 25, "sector": "medical_devices", "interests": {"events", "partnering"},
        "target_regions": [], "event_id": "none", "cluster": "bioregio_stern"}),
    "de": ([
        ("Servus! Wir würden unsere Firma gern bei euch anmelden", "consent"),
        ("passt, machen Sie", "company_name"),
        ("Diagnostika Süd GmbH", "contact_name"),
        ("Markus Huber", "email"),
        ("m.huber@diagnostika-sued.de", "country"),
        ("wir sitzen in Regensburg", "employees"),
        ("so um die 30 Leute", "sector"),
        ("wir entwickeln Schnelltests, mit denen Hausärzte Entzündungswerte im Blut messen", "interests"),
        ("vor allem Investoren", "target_regions"),
        ("Piemont wäre spannend", "registration_confirmed"),
        ("stimmt alles", None),
    ], {"country": "DE", "employees": 30, "sector": "diagnostics", "interests": {"financing"},
        "target_regions": ["biopmed"], "event_id": None, "cluster": "bioregio_stern"}),
    "fr": ([
        ("Salut ! On aimerait inscrire notre boîte", "consent"),
        ("ça me va", "company_name"),
        ("Télésoin", "contact_name"),
        ("Camille Lefèvre", "email"),
        ("camille@telesoin.fr", "country"),
        ("on est à Liège", "employees"),
        ("une douzaine", "sector"),
        ("on développe une application de téléconsultation pour les médecins généralistes", "interests"),
        ("surtout les webinaires", "target_regions"),
        ("peu importe la région", "event_id"),
        ("celui de Lyon", "registration_confirmed"),
        ("c'est tout bon", None),
    ], {"country": "BE", "employees": 12, "sector": "digital_health", "interests": {"events"},
        "target_regions": [], "event_id": "example-brokerage-lyon", "cluster": "biowin"}),
    "it": ([
        ("Ciao! Vorremmo iscrivere la nostra azienda", "consent"),
        ("va bene, procedi pure", "company_name"),
        ("Farmagen", "contact_name"),
        ("Giulia Bianchi", "email"),
        ("giulia.bianchi@farmagen.it", "country"),
        ("siamo a Novara", "employees"),
        ("una cinquantina", "sector"),
        ("sviluppiamo vaccini e anticorpi per malattie rare", "interests"),
        ("cerchiamo un laboratorio dove testare i nostri prototipi", "target_regions"),
        ("ci va bene qualsiasi regione", "registration_confirmed"),
        ("tutto giusto", None),
    ], {"country": "IT", "employees": 50, "sector": "biotech_pharma", "interests": {"technology_centre"},
        "target_regions": [], "event_id": None, "cluster": "biopmed"}),
    "pl": ([
        ("Cześć, chcielibyśmy się do was zapisać", "consent"),
        ("jasne, zgoda", "company_name"),
        ("Protezmed", "contact_name"),
        ("Tomasz Wójcik", "email"),
        ("t.wojcik@protezmed.pl", "country"),
        ("jesteśmy z Gliwic", "employees"),
        ("około 15 osób", "sector"),
        ("produkujemy protezy kończyn i wózki inwalidzkie", "interests"),
        ("webinary i dotacje", "target_regions"),
        ("obojętnie, wszystkie regiony są ok", "event_id"),
        ("ten w kwietniu", "registration_confirmed"),
        ("wszystko się zgadza", None),
    ], {"country": "PL", "employees": 15, "sector": "medical_devices", "interests": {"events", "financing"},
        "target_regions": [], "event_id": "example-webinar-financing", "cluster": "medsilesia"}),
}


@pytest.mark.parametrize("language", sorted(FREE_WORDS))
def test_a_registration_answered_in_free_words_ends_with_the_right_routed_lead(assistant, language):
    steps, expected = FREE_WORDS[language]
    assert not any(text.startswith("/") for text, _ in steps)
    sender = assistant.new_sender()
    converse(assistant, sender, steps)

    [lead] = assistant.leads_of(sender)
    assert lead["language"] == language
    assert (lead["country"], lead["employees"], lead["sector"]) == \
        (expected["country"], expected["employees"], expected["sector"])
    assert set(lead["interests"]) == expected["interests"]
    assert lead["target_regions"] == expected["target_regions"]
    assert lead.get("event_id") == expected["event_id"]
    assert lead["qualified"] is True, lead["qualification_reasons"]
    assert lead["cluster"] == expected["cluster"], lead["routing_reason"]


def test_an_answer_between_two_sectors_is_asked_back_with_those_two_and_then_accepted(assistant, domain):
    sender = assistant.new_sender()
    converse(assistant, sender, [
        ("I'd like to register", "consent"), ("yes", "company_name"), ("Medisens", "contact_name"),
        ("Claire Martin", "email"), ("claire@medisens.fr", "country"), ("Lyon", "employees"), ("12", "sector"),
    ])
    replies = converse(assistant, sender, [("tests and devices", "sector")])[-1]
    options = assistant.tracker(sender)["slots"]["choice_options"]
    assert len(options) == 2
    # The two buttons are the sector question's own, as domain.yml words them in English.
    sector_buttons = domain["responses"]["utter_ask_sector"][0]["buttons"]
    first, second = (next(b["title"] for b in sector_buttons if f'"sector": "{option}"' in b["payload"])
                     for option in options)
    buttons = replies[-1]["buttons"]
    assert [b["title"] for b in buttons] == [first, second]
    assert all(f'"sector": "{option}"' in b["payload"] for b, option in zip(buttons, options, strict=True))
    asked = domain["responses"]["utter_ask_which_of_two"][0]["text"]
    assert replies[-1]["text"] == asked.format(first=first, second=second)
    converse(assistant, sender, [(second, "interests")])
    assert assistant.tracker(sender)["slots"]["sector"] == options[1]
