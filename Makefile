# Two commands do all set-up on a fresh machine:
#   make book   builds the HTML book into _build/html (the main job)
#   make test   runs the unit tests and re-runs every chapter against its stored output
# Both install what they need into .venv, at the exact versions of requirements.lock,
# and fetch the verified data on first use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock

.PHONY: book test colab nbval data execute images colab-url stats lock drift demo-model bench-data bench-models clean

$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	touch $@

## data: fetch MNIST if needed, verify it, say where it is
data: $(STAMP)
	$(PY) -m mnistbook data

## book: build the HTML book from the stored, nbval-checked outputs (no re-execution)
##       (changes no tracked file; `make stats` updates the Execution statistics page)
book: data
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "Open _build/html/index.html"

## test: unit tests; the book in a real browser; every chapter run alone from a wheel
##       install and compared with its stored outputs by nbval (tests/test_standalone.py);
##       every chapter run on Google Colab's versions (tests/test_colab.py)
test: data
	$(PY) -m pytest tests

## colab: only the Colab-stack test: Python 3.13 with ci/colab.txt's versions, every chapter alone
colab: data
	$(PY) -m pytest tests -m colab

## nbval: quicker check while editing: nbval over chapters/ in this environment
nbval: data
	$(PY) -m pytest chapters --nbval --nbval-current-env --nbval-sanitize-with chapters/sanitize.cfg

## execute: re-run every chapter top to bottom and store the outputs (after editing one)
execute: data
	$(VENV)/bin/jupyter execute --inplace chapters/*.ipynb

## stats: write the Execution statistics page from the last full `make test` (then commit it)
stats: $(STAMP)
	$(PY) tools/execution_statistics.py

## lock: re-pin requirements.lock to the newest versions requirements.txt allows (see README)
lock: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip compile requirements.txt --universal --python-version 3.11.7 --upgrade -o $(LOCK)

## drift: the quick tests and nbval with the newest versions instead of the lock; reports what broke
drift: data
	$(PY) tools/drift.py

## demo-model: retrain the book's convnet and export it for the Draw-a-digit page (demo/mnist_demo_model.js)
demo-model: data
	$(PY) tools/export_demo_model.py

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
	rm -rf _build .venv-drift
