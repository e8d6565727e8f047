# Keyward's two commands on a fresh Debian or Ubuntu machine:
#   make run    install what is missing, build, open the console
#   make test   install what is missing, check formatting, vet, lint, run every test
# Both build with the same flags, so the slow first compile of Fyne's
# OpenGL driver (cgo) is shared.

GO ?= go
# Fyne's GL driver needs a C compiler and the GL/X11 headers; the tests of
# the Redis backend start redis-server of their own, those of the gate
# nginx and Caddy of their own (on free loopback ports, with their own
# configuration: not the services Debian's packages start).
APT_PACKAGES := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev redis-server nginx caddy
# make package-check also runs the Windows build under Wine
# (.ci/windows-check.sh): the cross compiler and Wine are installed for it
# only, so that make test and make run need neither.
WINDOWS_CHECK_PACKAGES := gcc-mingw-w64-x86-64-posix wine64 curl
# The tests of the shared store start redis-server of their own: make test
# installs it, so that a missing one fails them rather than skipping them
# (KEYWARD_REQUIRE_REDIS=1 in the test rule).
# Fyne warns on every start in the C locale.
export LANG := en_US.UTF-8
FUZZTIME ?= 30s
# The fyne tool that packages the app, pinned.
FYNE_TOOLS := fyne.io/tools/cmd/fyne@v1.7.4
FYNE := $(shell $(GO) env GOPATH)/bin/fyne
# staticcheck, pinned; make test installs it when it is missing or another
# version.
STATICCHECK_VERSION := 0.8.2
STATICCHECK_TOOLS := honnef.co/go/tools/cmd/staticcheck@v$(STATICCHECK_VERSION)
STATICCHECK := $(shell $(GO) env GOPATH)/bin/staticcheck
VERSION := $(shell sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)
MINGW_CC := x86_64-w64-mingw32-gcc
# Every build leaves out the colour emoji font Fyne embeds: Fyne parses a
# copy of it for each text style in use, about 19 MB of the window's memory
# and 4 MB of the binary, for characters an API key console hardly shows.
# Emoji in a name still show, in the system's emoji font where there is one.
# The tag changes no cgo package, so it costs no second slow compile.
# bench/lib.sh reads this line.
TAGS := no_emoji

.PHONY: run test deps windows-deps build fuzz bench clean package package-check

# apt_install installs the Debian packages of a list that are missing, and
# only those: nothing is fetched when all of them are there.
define apt_install
	@if command -v dpkg-query >/dev/null 2>&1; then \
		missing=""; \
		for p in $(1); do \
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
		echo "$(2)"; \
	fi
endef

deps:
	@command -v $(GO) >/dev/null 2>&1 || { echo "Go 1.26 or newer is needed: see https://go.dev/doc/install"; exit 1; }
	$(call apt_install,$(APT_PACKAGES),Not a Debian system: install a C compiler and the OpenGL/X11 development headers yourself.)
	$(GO) mod download

# windows-deps installs what the Windows part of package-check needs: the
# cross compiler (make package builds the .exe when it is there) and Wine.
windows-deps:
	$(call apt_install,$(WINDOWS_CHECK_PACKAGES),Not a Debian system: install mingw-w64 and Wine yourself to check the Windows build.)

build: deps
	$(GO) build -tags $(TAGS) -o keyward .

run: build
	./keyward

test: deps
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then echo "Not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...
	@$(STATICCHECK) -version 2>/dev/null | grep -qF '($(STATICCHECK_VERSION))' || $(GO) install $(STATICCHECK_TOOLS)
	$(STATICCHECK) -tags $(TAGS) ./...
	KEYWARD_REQUIRE_REDIS=1 KEYWARD_REQUIRE_PROXIES=1 $(GO) test -tags $(TAGS) -race -timeout 20m ./...
	$(GO) test -tags $(TAGS) -timeout 5m -run '^TestCrashSafety$$' ./data/

# Run each fuzz target for FUZZTIME; new interesting inputs land in the
# packages' testdata/fuzz directories.
fuzz:
	@for target in $$($(GO) test ./data/ -list 'Fuzz.*' | grep ^Fuzz); do \
		echo "== $$target"; $(GO) test ./data/ -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) || exit 1; \
	done

bench:
	$(GO) test ./data/ ./data/badger/ -run '^$$' -bench . -benchtime 2s

# make package builds dist/keyward-VERSION-linux-amd64.tar.xz with
# `fyne package` and, where Debian's mingw-w64 cross compiler is installed,
# dist/keyward-VERSION-windows-amd64.exe. fyne package raises Build in
# FyneApp.toml on every run; the file is put back, so the tree stays clean.
package: deps
	$(GO) install $(FYNE_TOOLS)
	mkdir -p dist
	cp FyneApp.toml dist/FyneApp.toml.orig
	$(FYNE) package -os linux --release --tags $(TAGS); status=$$?; cp dist/FyneApp.toml.orig FyneApp.toml; [ $$status -eq 0 ]
	mv Keyward.tar.xz dist/keyward-$(VERSION)-linux-amd64.tar.xz
	@if command -v $(MINGW_CC) >/dev/null 2>&1; then \
		echo "Cross-building for Windows with $(MINGW_CC)"; \
		CC=$(MINGW_CC) CGO_ENABLED=1 $(FYNE) package -os windows --release --tags $(TAGS); status=$$?; \
		cp dist/FyneApp.toml.orig FyneApp.toml; [ $$status -eq 0 ] || exit 1; \
		mv Keyward.exe dist/keyward-$(VERSION)-windows-amd64.exe; \
	else \
		echo "No $(MINGW_CC): skipping the Windows build (apt-get install gcc-mingw-w64-x86-64-posix)"; \
	fi
	rm -f dist/FyneApp.toml.orig keyward
	ls -l dist

# package-check unpacks the Linux archive, checks that its binary was built
# with TAGS, and runs it on a new data directory; then it vets the pure-Go
# packages, tests included, for Windows (with the package build's flags, so
# that they reuse its compiled packages), and runs the Windows executable
# under Wine, in a prefix of its own, through the administrator's flow and
# serve (.ci/windows-check.sh), as CI does after every change.
package-check: windows-deps package
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	tar -xJf dist/keyward-$(VERSION)-linux-amd64.tar.xz -C "$$tmp"; \
	bin="$$tmp/keyward/usr/local/bin/keyward"; \
	"$$bin" --version | grep -qx "Keyward $(VERSION) (build [0-9]*)"; \
	$(GO) version -m "$$bin" | grep -Eq -- "-tags=(.*,)?$(TAGS)(,|\$$)" || { echo "package-check: the binary was not built with -tags $(TAGS)"; exit 1; }; \
	echo "a long owner password" | "$$bin" --data "$$tmp/data" init --account Smoke --owner-name "Smoke Test" --owner-email smoke@example.com; \
	"$$bin" --data "$$tmp/data" keys list; \
	echo "package-check: the packaged binary works"
	@echo "package-check: go vet of the command line, the API and data for Windows"
	GOOS=windows CGO_ENABLED=1 CC=$(MINGW_CC) $(GO) vet -trimpath -tags $(TAGS) ./app/cli/ ./app/api/ ./data/...
	KEYWARD_VERSION=$(VERSION) bash .ci/windows-check.sh dist/keyward-$(VERSION)-windows-amd64.exe

clean:
	rm -rf keyward dist
