"""D023 (TLS verification off), D024 (package signatures not checked), D025 (password set):
rules added after reading Checkov's Dockerfile graph checks (CKV2_DOCKER_2–17), which the
benchmark corpus never triggers; each is tested both ways with the exact findings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.dockerfile import found

_NOT_CHECKED = ": downloads are not checked against the server's certificate"
_UNSIGNED = ": packages are installed without checking their signatures"
_ONBUILD = " (ONBUILD: in the build of every image made FROM this one)"


def test_d023_tls_verification_off(tmp_path: Path) -> None:
    text = r"""
    FROM node:22-bookworm-slim AS build
    ENV NODE_TLS_REJECT_UNAUTHORIZED=0 GIT_SSL_NO_VERIFY=1
    ARG PIP_TRUSTED_HOST=pypi.corp.example
    RUN curl -fsSLk https://x/a.tgz -o /a.tgz && wget --no-check-certificate -q https://x/b
    RUN GIT_SSL_NO_VERIFY=true git clone https://x/r.git && git config --global http.sslVerify false
    RUN npm config set strict-ssl false && pip install --trusted-host pypi.x flask==3.1
    ONBUILD RUN export PYTHONHTTPSVERIFY=0 && python3 fetch.py
    FROM debian:trixie-slim
    ENV npm_config_strict_ssl=false GOSUMDB=off
    """
    assert found(tmp_path, text, "D023") == [
        ("D023", 2, 5, "ENV NODE_TLS_REJECT_UNAUTHORIZED=0 switches off Node.js certificate "
         "verification", "high"),
        ("D023", 2, 36, "ENV GIT_SSL_NO_VERIFY=1 switches off git's certificate verification",
         "high"),
        ("D023", 3, 5, "ARG PIP_TRUSTED_HOST=pypi.corp.example switches off pip's certificate "
         "verification for those hosts", "high"),
        ("D023", 4, 5, "curl -fsSLk" + _NOT_CHECKED, "high"),
        ("D023", 4, 46, "wget --no-check-certificate" + _NOT_CHECKED, "high"),
        ("D023", 5, 28, "GIT_SSL_NO_VERIFY=true (switches off git's certificate verification)"
         + _NOT_CHECKED, "high"),
        ("D023", 5, 57, "git http.sslVerify false" + _NOT_CHECKED, "high"),
        ("D023", 6, 5, "npm strict-ssl false" + _NOT_CHECKED, "high"),
        ("D023", 6, 40, "pip --trusted-host" + _NOT_CHECKED, "high"),
        ("D023", 7, 13, "PYTHONHTTPSVERIFY=0 (switches off Python's certificate verification)"
         + _NOT_CHECKED + _ONBUILD, "high"),
        ("D023", 9, 5, "ENV npm_config_strict_ssl=false switches off npm's certificate "
         "verification", "high"),
        ("D023", 9, 33, "ENV GOSUMDB=off switches off Go's module checksum database", "high"),
    ]  # fmt: skip


def test_d023_verification_kept(tmp_path: Path) -> None:
    text = r"""
    FROM node:22-bookworm-slim
    ENV NODE_TLS_REJECT_UNAUTHORIZED=1 PYTHONHTTPSVERIFY=1 GOFLAGS=-mod=mod GIT_SSL_NO_VERIFY=
    ARG PIP_TRUSTED_HOST
    ENV NODE_EXTRA_CA_CERTS=/etc/ssl/corp.pem GOSUMDB=sum.golang.org
    RUN curl -fsSL -o /x https://x && curl -K /etc/curlrc https://y && wget -q https://x
    RUN git config --global http.sslVerify true && npm config set strict-ssl true
    RUN pip install --cert /etc/ssl/corp.pem flask==3.1 && echo "--insecure is bad" > /doc
    """
    assert found(tmp_path, text, "D023") == []


def test_d024_signatures_not_checked(tmp_path: Path) -> None:
    text = r"""
    FROM debian:trixie-slim AS build
    RUN echo "deb [trusted=yes] http://repo.x/ stable main" > /etc/apt/sources.list.d/x.list \
     && apt-get update && apt-get install -y --allow-unauthenticated --no-install-recommends x=1
    RUN apt-get -o APT::Get::AllowUnauthenticated=true install -y --no-install-recommends y=2
    FROM alpine:3.22
    RUN apk add --no-cache --allow-untrusted /tmp/x.apk && rpm -i --nosignature /tmp/y.rpm
    RUN dnf install -y --nogpgcheck z-1.0 && printf '[r]\ngpgcheck=0\n' > /etc/yum.repos.d/r.repo
    """
    assert found(tmp_path, text, "D024") == [
        ("D024", 2, 5, "an APT source marked [trusted=yes]" + _UNSIGNED, "high"),
        ("D024", 3, 23, "apt-get --allow-unauthenticated" + _UNSIGNED, "high"),
        ("D024", 4, 5, "apt-get -o APT::Get::AllowUnauthenticated=true" + _UNSIGNED, "high"),
        ("D024", 6, 5, "apk --allow-untrusted" + _UNSIGNED, "high"),
        ("D024", 6, 56, "rpm --nosignature" + _UNSIGNED, "high"),
        ("D024", 7, 5, "dnf --nogpgcheck" + _UNSIGNED, "high"),
        ("D024", 7, 42, "a repository definition with gpgcheck=0" + _UNSIGNED, "high"),
    ]


def test_d024_signatures_checked(tmp_path: Path) -> None:
    text = r"""
    FROM alpine:3.22
    RUN apk add --no-cache curl=8.14.1-r2 && echo gpgcheck=1 repo_gpgcheck=1 > /etc/x.repo
    RUN echo "deb [signed-by=/usr/share/keyrings/x.gpg] https://repo.x stable main" > /x.list
    RUN rpm --import https://repo.x/key.asc && rpm -K /tmp/y.rpm && dnf install -y z-1.0
    """
    assert found(tmp_path, text, "D024") == []


def test_d025_password_set(tmp_path: Path) -> None:
    # the build stage's chpasswd does not ship; the final stage's do
    text = r"""
    FROM debian:trixie-slim AS build
    RUN echo 'root:toor' | chpasswd
    FROM debian:trixie-slim
    RUN echo 'root:toor' | chpasswd && useradd -m -p "$(openssl passwd -1 pw)" bob
    RUN echo pw | passwd --stdin app && usermod --password=x app
    """
    shipped = ": it ships in /etc/shadow"
    assert found(tmp_path, text, "D025") == [
        ("D025", 4, 24, "chpasswd sets an account password in the image" + shipped, "medium"),
        ("D025", 4, 36, "useradd --password sets an account password in the image" + shipped,
         "medium"),
        ("D025", 5, 15, "passwd --stdin sets an account password in the image" + shipped,
         "medium"),
        ("D025", 5, 37, "usermod --password sets an account password in the image" + shipped,
         "medium"),
    ]  # fmt: skip


def test_d025_no_password(tmp_path: Path) -> None:
    text = r"""
    FROM debian:trixie-slim
    RUN useradd --uid 10001 --no-create-home app && passwd -l root && usermod -aG video app
    RUN echo chpasswd > /notes
    """
    assert found(tmp_path, text, "D025") == []


def test_d024_sed_counts_what_it_writes(tmp_path: Path) -> None:
    text = r"""
    FROM fedora:42
    RUN sed -i "s/gpgcheck=0/gpgcheck=1/" /etc/yum.repos.d/x.repo
    RUN sed -i -e "s/gpgcheck=1/gpgcheck=0/g" /etc/dnf/dnf.conf
    """
    assert found(tmp_path, text, "D024") == [
        ("D024", 3, 5, "a repository definition with gpgcheck=0" + _UNSIGNED, "high")
    ]


# --------------------------------------------------------------------------- D026
# the RPM counterpart of D013/D015 (trivy DS015, DS019, DS020, DS027)


def test_d026_rpm_cache_left(tmp_path: Path) -> None:
    text = r"""
    FROM registry.access.redhat.com/ubi9/ubi-minimal:9.6
    RUN microdnf install -y shadow-utils-4.9 && useradd -u 10001 app
    RUN dnf clean all && dnf install -y nginx-1.26.3
    RUN zypper --non-interactive in curl-8.14.1
    RUN yum -y install git-2.47.3 && rm -rf /tmp/*
    """
    assert found(tmp_path, text, "D026") == [
        ("D026", 2, 5, "microdnf installs packages and the RUN does not end with microdnf "
         "clean all", "low"),
        ("D026", 3, 22, "dnf installs packages and the RUN does not end with dnf clean all",
         "low"),
        ("D026", 4, 5, "zypper installs packages and the RUN does not end with zypper clean",
         "low"),
        ("D026", 5, 5, "yum installs packages and the RUN does not end with yum clean all",
         "low"),
    ]  # fmt: skip


def test_d026_rpm_cache_cleaned(tmp_path: Path) -> None:
    text = r"""
    FROM fedora:42 AS build
    RUN dnf install -y gcc-15.1.1
    FROM registry.access.redhat.com/ubi9/ubi-minimal:9.6
    RUN microdnf install -y shadow-utils-4.9 && microdnf clean all
    RUN dnf install -y nginx-1.26.3 && rm -rf /var/cache/dnf/*
    RUN --mount=type=cache,target=/var/cache/dnf dnf install -y jq-1.7.1
    RUN zypper in -y curl-8.14.1 && zypper cc -a
    RUN dnf --version && rpm -qa
    """
    assert found(tmp_path, text, "D026") == []
