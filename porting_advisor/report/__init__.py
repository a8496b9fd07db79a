# SPDX-License-Identifier: Apache-2.0
"""Render a Report in every output format."""
