# SPDX-License-Identifier: Apache-2.0
"""Cross-file passes over the workers' facts, run in the parent."""
