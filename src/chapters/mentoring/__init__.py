"""Mentoring programs (a yearly student open-source program, say) and their projects."""
