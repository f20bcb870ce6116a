"""Renderers at the edge: tables, the overdue view, the report, notices and tasks, in the
formats a person or a program reads. They take plain data and never query anything."""
