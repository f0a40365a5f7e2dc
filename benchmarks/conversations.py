"""What the simulated users of `make bench` say: whole conversations, one script each.

Ours mix greetings, FAQ questions and registrations in five languages; a registration
runs the form's custom actions (validation) and ends with a saved lead, so the
database writes of a real chat are part of the load. The answers of the registrations
are those of tests/test_registration.py, which checks that they lead to a saved lead.
The reference's follow the stories of Rasa's own `rasa init` bot.
"""

from __future__ import annotations

SECTOR_BUTTON = '/inform{"sector": "medical_devices"}'

REGISTRATIONS = {
    "en": ["Hello, we would like to register our company for S3martMed", "Yes, I agree", "Medisens",
           "Claire Martin", "claire.martin@medisens.fr", "Lyon", "about forty", SECTOR_BUTTON,
           "partners and financing", "Piedmont and Wallonia", "yes"],
    "de": ["Guten Tag, wir möchten unser Unternehmen anmelden", "Ja, einverstanden", "Alpenmed GmbH",
           "Julia Hartmann", "j.hartmann@alpenmed.de", "Tübingen", "rund 40", "Diagnostik",
           "ein Technologiezentrum", "keine Präferenz", "Ja, bitte speichern"],
    "fr": ["Bonjour, je voudrais inscrire mon entreprise", "Oui, je suis d'accord", "BioNova SAS",
           "Sophie Durand", "sophie.durand@bionova.fr", "Grenoble", "une quarantaine",
           "dispositifs médicaux", "des partenaires", "le Piémont", "oui"],
    "it": ["Buongiorno, vorremmo registrare la nostra azienda", "Sì, acconsento", "Meditalia Srl",
           "Marco Rossi", "marco.rossi@meditalia.it", "Torino", "una quarantina", "diagnostica",
           "finanziamenti", "nessuna preferenza", "sì"],
    "pl": ["Dzień dobry, chcielibyśmy zarejestrować naszą firmę", "Tak, zgadzam się", "MedSilTech sp. z o.o.",
           "Anna Nowak", "anna.nowak@medsiltech.pl", "Katowice", "około 40 osób", "wyroby medyczne",
           "partnerzy", "Badenia-Wirtembergia", "tak"],
}

QUESTIONS = {
    "en": ["Hello", "what is S3martMed?", "which clusters are part of S3martMed?", "how much does it cost?",
           "thanks", "bye"],
    "de": ["Hallo", "Was ist S3martMed?", "Welche Cluster machen mit?", "Ist die Teilnahme kostenlos?",
           "danke", "tschüss"],
    "fr": ["Bonjour", "c'est quoi S3martMed ?", "qui sont les partenaires du projet ?", "c'est gratuit ?",
           "merci", "au revoir"],
    "it": ["Ciao", "cos'è S3martMed?", "quali cluster partecipano?", "quanto costa?", "grazie", "arrivederci"],
    "pl": ["Dzień dobry", "co to jest S3martMed?", "jakie klastry biorą udział?", "czy to kosztuje?",
           "dziękuję", "do widzenia"],
}

OURS: list[list[str]] = [*REGISTRATIONS.values(), *QUESTIONS.values()]
"""Half the conversations register (11 turns), half ask questions (6 turns)."""

REFERENCE: list[list[str]] = [
    ["hey", "I am great", "are you a bot?", "bye"],                  # happy path + bot challenge
    ["hello", "I am sad", "yes", "goodbye"],                         # sad path 1
    ["hi", "very unhappy", "no"],                                    # sad path 2
    ["good morning", "perfect, very good", "am I talking to a human?", "see you later"],
]
"""The intents of `rasa init`'s bot: greet, mood_great, mood_unhappy, affirm, deny, goodbye, bot_challenge."""
