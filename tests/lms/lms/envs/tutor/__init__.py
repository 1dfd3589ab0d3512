"""Tutor's settings package: Tutor's image runs the LMS with lms.envs.tutor.production."""
