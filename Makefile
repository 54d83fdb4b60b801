# Two commands do all set-up on a fresh machine:
#   make book   builds the HTML book into _build/html (the main job)
#   make test   runs the unit tests and re-runs every chapter against its stored output
# Both install what they need into .venv and fetch the verified data on first use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book test data execute images colab-url bench-data clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## data: fetch MNIST if needed, verify it, say where it is
data: $(STAMP)
	$(PY) -m mnistbook data

## book: build the HTML book from the stored, nbval-checked outputs (no re-execution)
book: data
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html"

## test: unit tests, then every chapter re-run by nbval and compared with its stored outputs
test: data
	$(PY) -m pytest tests chapters --nbval --nbval-current-env --nbval-sanitize-with chapters/sanitize.cfg

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

clean:
	rm -rf _build
