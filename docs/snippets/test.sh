.venv/bin/python -m pytest -n 2
