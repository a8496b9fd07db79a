# SPDX-License-Identifier: Apache-2.0
"""Records, rules and shared vocabulary every stage reads."""
