#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright (no browser download).
# Install it when missing and we may (root, apt available); otherwise those tests skip themselves.
set -u
if [ -x /usr/bin/chromium ] && fc-list :lang=th 2>/dev/null | grep -qi tlwg; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-thai-tlwg >/dev/null) \
    || echo "could not install chromium: browser tests will be skipped"
else
  echo "no /usr/bin/chromium and not root: browser tests will be skipped"
fi
exit 0
