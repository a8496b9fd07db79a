# SPDX-License-Identifier: Apache-2.0
"""The CI gate: settings, configuration, changed files, baselines."""
