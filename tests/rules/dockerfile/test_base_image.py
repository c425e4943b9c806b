"""The Dockerfile rules of ``hardhull/rules/dockerfile/base_image.py``:
D001, D002, D003, positive and negative, with the exact findings.

Each case is a Dockerfile written to a temporary directory (with a ``.dockerignore`` unless the
case is about it) and scanned by the real engine with ``as_of`` fixed; the assertion is the
complete list of (code, line, column, message, severity) findings of the rule under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.helpers.dockerfile import DIGEST, found


def test_d001_eol_images(tmp_path: Path) -> None:
    text = """
    FROM python:3.8-slim-buster AS build
    FROM node:16-alpine3.18 AS n
    FROM ubuntu:jammy AS u
    FROM openjdk:17-jdk-slim AS j
    FROM registry.access.redhat.com/ubi7/ubi-minimal:7.9 AS r
    FROM amazonlinux:2 AS a
    FROM golang:1.24-alpine AS g
    FROM python:3 AS p
    FROM debian:bookworm-slim AS d
    FROM alpine:3.20
    """
    assert found(tmp_path, text, "D001") == [
        (
            "D001",
            1,
            6,
            "base image python:3.8-slim-buster is end of life: Python 3.8 on 2024-10-07 and "
            "Debian 10 (buster) on 2024-06-30 (no security updates); used by build stage "
            "'build'",
            "medium",
        ),
        (
            "D001",
            2,
            6,
            "base image node:16-alpine3.18 is end of life: Node.js 16 on 2023-09-11 and Alpine "
            "Linux 3.18 on 2025-05-09 (no security updates); used by build stage 'n'",
            "medium",
        ),
        (
            "D001",
            4,
            6,
            "base image openjdk:17-jdk-slim is deprecated: the openjdk image gets no updates "
            "since 2022-08-03; use eclipse-temurin (or another maintained OpenJDK build); used "
            "by build stage 'j'",
            "medium",
        ),
        (
            "D001",
            5,
            6,
            "base image registry.access.redhat.com/ubi7/ubi-minimal:7.9 is end of life: Red Hat "
            "Enterprise Linux (UBI) 7 on 2024-06-30 (no security updates); used by build stage "
            "'r'",
            "medium",
        ),
        (
            "D001",
            6,
            6,
            "base image amazonlinux:2 is end of life: Amazon Linux 2 on 2026-06-30 (no security "
            "updates); used by build stage 'a'",
            "medium",
        ),
        (
            "D001",
            7,
            6,
            "base image golang:1.24-alpine is end of life: Go 1.24 on 2026-02-11 (no security "
            "updates); used by build stage 'g'",
            "medium",
        ),
        (
            "D001",
            10,
            6,
            "base image alpine:3.20 is end of life: Alpine Linux 3.20 on 2026-04-01 (no security "
            "updates)",
            "high",
        ),
    ]


def test_d001_final_image_is_high_and_as_of_decides(tmp_path: Path) -> None:
    text = "FROM ubuntu:18.04\nUSER 1000\n"
    assert found(tmp_path, text, "D001") == [
        (
            "D001",
            1,
            6,
            "base image ubuntu:18.04 is end of life: Ubuntu 18.04 (bionic) on 2023-05-31 (no "
            "security updates)",
            "high",
        )
    ]
    assert found(tmp_path, text, "D001", as_of=date(2023, 5, 31)) == []


def test_d001_negative(tmp_path: Path) -> None:
    text = """
    ARG PY
    FROM python:${PY}-slim AS a
    FROM node:lts AS b
    FROM ubuntu:noble AS c
    FROM b
    FROM myregistry.example.com/python:2.7 AS e
    FROM eclipse-temurin:21-jre-noble AS f
    FROM scratch
    """
    assert found(tmp_path, text, "D001") == []


def test_d002_d003_tags_and_digests(tmp_path: Path) -> None:
    text = f"""
    ARG BASE=alpine:3.22
    ARG TAG
    FROM alpine AS a
    FROM alpine:latest AS b
    FROM $BASE AS c
    FROM node:${{TAG}} AS d
    FROM python:3.13-slim@{DIGEST} AS e
    FROM a
    FROM python:3.13-slim AS g
    FROM python:3.13-slim
    """
    assert found(tmp_path, text, "D002", "D003") == [
        ("D002", 3, 6, "base image alpine uses no tag (latest): pin a version", "medium"),
        ("D002", 4, 6, "base image alpine:latest uses the latest tag: pin a version", "medium"),
        ("D003", 5, 6, "base image alpine:3.22 is not pinned by digest", "low"),
        ("D003", 9, 6, "base image python:3.13-slim is not pinned by digest", "low"),
    ]


def test_d002_negative_scratch_and_stage(tmp_path: Path) -> None:
    text = f"FROM alpine:3.22@{DIGEST} AS base\nFROM base\nFROM scratch\n"
    assert found(tmp_path, text, "D002", "D003") == []
