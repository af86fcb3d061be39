# Shortcuts for the commands in README.md.
.PHONY: test demo demo-multiregion lint-examples

test:
	bash scripts/test.sh

demo:
	bash scripts/demo.sh

demo-multiregion:
	bash scripts/demo.sh multiregion_commerce

lint-examples:
	cargo run --quiet -p wellarch-lint -- examples/secure
