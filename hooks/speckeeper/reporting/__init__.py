"""Reporting: findings shown to people, editors and CI.

:mod:`.output` holds the output formats (text, JSON, GitHub, statistics,
...), :mod:`.reports` the CI reports (SARIF, JUnit, GitLab) and
:mod:`.terminal` colour and progress for a person at a terminal.

May import: the engine (for baseline fingerprints), the rules (for their
documentation), files and the base modules. Never fixing, the commands or
the editor.
"""
