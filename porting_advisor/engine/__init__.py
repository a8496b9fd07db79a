# SPDX-License-Identifier: Apache-2.0
"""Walk the tree, run the scanners in a pool with the cache, run the passes."""
