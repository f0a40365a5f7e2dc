"""Custom actions of the S3martMed assistant (run by `rasa run actions`)."""
