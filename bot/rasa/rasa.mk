# The Rasa NLU model (bot/rasa). Included from the top Makefile; every path is relative to the repo root.
# Rasa is language understanding only: `rasa run` serves POST /model/parse and the portal decides the dialogue.
# Rasa 3.6 needs Python 3.10: override with `make rasa-check RASA_PYTHON=/path/to/python3.10`.
RASA_PYTHON ?= $(or $(wildcard $(shell pyenv prefix 3.10.13 2>/dev/null)/bin/python3.10),$(shell command -v python3.10 2>/dev/null))
RASA_VENV   ?= .venv-rasa
RASA_DIR    := bot/rasa
RASA_BIN    := $(abspath $(RASA_VENV))/bin
RASA_STAMP  := $(RASA_VENV)/.installed
# `rasa train nlu --fixed-model-name frontdoor --out models` writes exactly models/frontdoor.tar.gz.
RASA_MODEL  := $(RASA_DIR)/models/frontdoor.tar.gz
# What the model is made of: the pipeline, its custom components, the domain's intents and entities, the NLU data.
RASA_DATA   := $(RASA_DIR)/config.yml $(RASA_DIR)/domain.yml $(RASA_DIR)/frontdoor_nlu.py $(RASA_DIR)/child_age.py \
               $(wildcard $(RASA_DIR)/data/*.yml)
# Rasa reads these; the SQLAlchemy one hides a warning Rasa 3.6 prints on every start.
RASA_ENV    := RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
# make rasa-check fails below this intent accuracy on tests/nlu_holdout.yml.
RASA_HOLDOUT_MIN ?= 0.85

$(RASA_STAMP): $(RASA_DIR)/requirements.txt
	@test -n "$(RASA_PYTHON)" || { echo "Rasa needs Python 3.10: make RASA_PYTHON=/path/to/python3.10"; exit 1; }
	test -x $(RASA_BIN)/python || $(RASA_PYTHON) -m venv $(RASA_VENV)
	$(RASA_BIN)/pip install --quiet -r $(RASA_DIR)/requirements.txt
	touch $@

.PHONY: rasa-setup
rasa-setup: $(RASA_STAMP) ## Install Rasa 3.6 into .venv-rasa (Python 3.10)

# The model is its own stamp: retrained only when the config, the component, the domain or the NLU data change.
$(RASA_MODEL): $(RASA_DATA) $(RASA_STAMP)
	cd $(RASA_DIR) && $(RASA_ENV) $(RASA_BIN)/rasa train nlu --fixed-model-name frontdoor --out models
	touch $@

.PHONY: rasa-train
rasa-train: $(RASA_MODEL) ## Train the NLU model (only when its config, domain or data changed)

.PHONY: rasa-check
rasa-check: $(RASA_MODEL) ## Validate the NLU data and test the model on the held-out examples (intent accuracy >= 0.85)
	cd $(RASA_DIR) && $(RASA_ENV) $(RASA_BIN)/rasa data validate --fail-on-warnings
	cd $(RASA_DIR) && rm -rf results/holdout && $(RASA_ENV) $(RASA_BIN)/rasa test nlu --nlu tests/nlu_holdout.yml \
		--model models/frontdoor.tar.gz --out results/holdout --no-plot
	cd $(RASA_DIR) && $(RASA_BIN)/python scripts/check_holdout.py results/holdout --min-accuracy $(RASA_HOLDOUT_MIN) \
		--holdout tests/nlu_holdout.yml --train data/nlu.yml data/eval_dev.yml

.PHONY: rasa-report
# Rasa shuffles the folds without a seed of its own; scripts/nlu_cv.py seeds them so a run repeats.
RASA_CV_SEED ?= 2026
rasa-report: $(RASA_STAMP) ## 5-fold NLU cross-validation, written up in docs/nlu-cross-validation.md
	cd $(RASA_DIR) && rm -rf results/nlu-cv && $(RASA_ENV) $(RASA_BIN)/python scripts/nlu_cv.py $(RASA_CV_SEED) \
		--nlu data/nlu.yml --config config.yml --cross-validation --folds 5 --out results/nlu-cv --no-plot
	cd $(RASA_DIR) && $(RASA_BIN)/python scripts/nlu_report.py results/nlu-cv ../../docs/nlu-cross-validation.md \
		"make rasa-report (rasa test nlu --nlu data/nlu.yml --config config.yml --cross-validation --folds 5, folds seeded with RASA_CV_SEED=$(RASA_CV_SEED))"
