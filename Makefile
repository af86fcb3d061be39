# Shortcuts for the commands in README.md.
.PHONY: test demo lint-examples

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

lint-examples:
	cargo run --quiet -p wellarch-lint -- examples/secure
