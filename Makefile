# Two commands do all set-up on a fresh machine:
#   make book   builds the HTML book into _build/html (the main job)
#   make test   runs the unit tests and re-runs every chapter against its stored output
# Both install what they need into .venv and fetch the verified data on first use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test nbval data execute images colab-url bench-data bench-models clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## data: fetch MNIST if needed, verify it, say where it is
data: $(STAMP)
	$(PY) -m mnistbook data

## book: build the HTML book from the stored, nbval-checked outputs (no re-execution)
book: data
	$(PY) tools/execution_statistics.py
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html"

## test: unit tests; the book in a real browser; every chapter run alone from a wheel
##       install and compared with its stored outputs by nbval (tests/test_standalone.py)
test: data
	$(PY) -m pytest tests

## nbval: quicker check while editing: nbval over chapters/ in this environment
nbval: data
	$(PY) -m pytest chapters --nbval --nbval-current-env --nbval-sanitize-with chapters/sanitize.cfg

## execute: re-run every chapter top to bottom and store the outputs (after editing one)
execute: data
	$(VENV)/bin/jupyter execute --inplace chapters/*.ipynb

## images: redraw the picture on the book's first page
images: data
	$(PY) tools/intro_figure.py

## colab-url: after changing repository.url in _config.yml, update every chapter's setup cell
colab-url: $(STAMP)
	$(PY) tools/set_repository_url.py

## bench-data: time a cached load of MNIST (prints a table)
bench-data: data
	$(PY) bench/data_load.py

## bench-models: train every recipe in the book with five seeds; print the table, update README and the book (about 45 minutes)
bench-models: data
	$(PY) bench/models.py

clean:
	rm -rf _build
