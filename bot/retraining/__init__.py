"""Retraining the intents from what real users wrote (the admins' half of the staff portal).

The loop: `unrecognised` finds the messages the assistant did not understand,
`annotations` turns an admin's verdict into a training example in `nlu_data/<lang>/`,
`runs` validates, trains and evaluates a candidate model in the background, and
`rasa_server` puts it on the running Rasa server. `cli` offers the same steps to scripts.
"""
