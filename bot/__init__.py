"""Interview Feedback Bot: helps job seekers ask employers for interview feedback."""
