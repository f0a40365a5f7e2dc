"""Custom Rasa NLU graph components."""
