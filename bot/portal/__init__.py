"""Staff portal: cluster staff review leads, admins retrain (FastAPI)."""
