# SPDX-License-Identifier: Apache-2.0
"""Go: build constraints, assembly, architecture tests."""
