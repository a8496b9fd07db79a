# SPDX-License-Identifier: Apache-2.0
"""Dependency manifests and lock files, version ordering."""
