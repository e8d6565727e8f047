# Keyward's two commands on a fresh Debian or Ubuntu machine:
#   make run    install what is missing, build, open the console
#   make test   install what is missing, check formatting, vet, run every test
# Both build with the same flags, so the slow first compile of Fyne's
# OpenGL driver (cgo) is shared.

GO ?= go
# Fyne's GL driver needs a C compiler and the GL/X11 headers.
APT_PACKAGES := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
# Fyne warns on every start in the C locale.
export LANG := en_US.UTF-8
FUZZTIME ?= 30s

.PHONY: run test deps build fuzz bench clean

deps:
	@command -v $(GO) >/dev/null 2>&1 || { echo "Go 1.26 or newer is needed: see https://go.dev/doc/install"; exit 1; }
	@if command -v dpkg-query >/dev/null 2>&1; then \
		missing=""; \
		for p in $(APT_PACKAGES); do \
			dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			echo "Installing system packages:$$missing"; \
			if [ "$$(id -u)" = 0 ]; then sudo=""; \
			elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
			else echo "Run as root or install sudo to install:$$missing"; exit 1; fi; \
			$$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		fi; \
	else \
		echo "Not a Debian system: install a C compiler and the OpenGL/X11 development headers yourself."; \
	fi
	$(GO) mod download

build: deps
	$(GO) build -o keyward .

run: build
	./keyward

test: deps
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "Not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -race -timeout 20m ./...

# Run each fuzz target for FUZZTIME; new interesting inputs land in the
# packages' testdata/fuzz directories.
fuzz:
	@for target in $$($(GO) test ./data/ -list 'Fuzz.*' | grep ^Fuzz); do \
		echo "== $$target"; $(GO) test ./data/ -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

bench:
	$(GO) test ./data/ -run '^$$' -bench . -benchtime 2s

clean:
	rm -f keyward
