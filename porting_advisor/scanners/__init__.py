# SPDX-License-Identifier: Apache-2.0
"""Per-file scanners: each reads one file and returns findings and facts."""
