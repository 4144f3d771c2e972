# Two commands on a fresh machine:  make run   (the app on a bundled sample)
#                                   make test  (the whole test suite)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test test-cue test-live samples bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert (3, 10) <= sys.version_info[:2] <= (3, 12), "posecheck needs Python 3.10-3.12 (MediaPipe 0.10.21)"'
	$(PYTHON) -m venv $(VENV)
	@# uv installs the versions pip would, from the same index, faster on a fresh machine
	@# (27 s against 69 s with cold caches, the same `pip freeze`); pip if uv fails. Compiled
	@# to bytecode at install, as pip does: where PYTHONDONTWRITEBYTECODE is set, every process
	@# (pose workers, test subprocesses, the app) would otherwise compile the packages again
	$(PY) -m pip install --quiet uv && $(PY) -m uv pip install --quiet --compile-bytecode --python $(PY) -e '.[test]' \
	    || { $(PY) -m pip install --quiet --upgrade pip && $(PY) -m pip install --quiet -e '.[test]'; }
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/streamlit run app.py

# lint and format first (seconds); then every test on all cores, slowest listed last,
# while beside them the CLI's live tests play clips in real time at normal priority (the rest
# runs under `nice`, so it takes only the CPU they leave: a live loop uses about one core);
# then the browser's live control alone: it uses about one core, and beside the suite its
# 70 s of CPU only move into the parallel part (a fresh clone's make test took 9:09 with it
# beside, 9:18 alone) while it analysed fewer frames (10-12 frames/s and 24-32 strokes after
# its baseline beside the suite, 12.8 and 41 alone), which is what it needs to prove anything.
# mypy (33 s of one core on a fresh clone, no cache) runs under `nice -n 19` beside that
# control, on the core it leaves idle, instead of before everything
REALTIME_LOG := $(or $(TMPDIR),/tmp)/posecheck-realtime-tests.log
MYPY_LOG := $(or $(TMPDIR),/tmp)/posecheck-mypy.log
test: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@$(PY) -m pytest -p no:cacheprovider --durations=5 -m 'realtime and not alone' -s \
	    > $(REALTIME_LOG) 2>&1 & rt=$$!; \
	nice -n 10 $(PY) -m pytest -n auto --dist worksteal --durations=15 -m 'not realtime'; \
	rc=$$?; wait $$rt; rt_rc=$$?; \
	echo "== the CLI live tests, run beside the rest ($(REALTIME_LOG)) =="; \
	tail -n 25 $(REALTIME_LOG); test $$rc = 0 && test $$rt_rc = 0
	@nice -n 19 $(VENV)/bin/mypy > $(MYPY_LOG) 2>&1 & my=$$!; \
	$(PY) -m pytest -s --durations=5 -m 'realtime and alone'; rc=$$?; \
	wait $$my; my_rc=$$?; \
	echo "== mypy, run beside it ($(MYPY_LOG)) =="; cat $(MYPY_LOG); \
	test $$rc = 0 && test $$my_rc = 0

# the browser test of a live cue, alone (2.4 min: kept out of `make test`'s 10 minutes, and
# out of CI: its cue lands 6-10 s after the clip's time against the 10 s asked, so a slow
# spell of a 2-core machine can push it over; see README, Live)
test-cue: $(VENV)/.installed
	POSECHECK_LIVE_BROWSER=1 $(PY) -m pytest -s --durations=3 tests/e2e/test_live_browser.py \
	    -k cues_the_elbows

# every live test, the browser's cue test included
test-live: $(VENV)/.installed
	POSECHECK_LIVE_BROWSER=1 $(PY) -m pytest -m realtime -s

samples: $(VENV)/.installed
	$(PY) -m posecheck samples --all -o sample_videos
	$(PY) -m posecheck samples --poses -o sample_videos
	$(PY) -m posecheck samples --analyses -o sample_videos

bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
