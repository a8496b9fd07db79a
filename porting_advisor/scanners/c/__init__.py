# SPDX-License-Identifier: Apache-2.0
"""C and C++: intrinsics, inline assembly, the preprocessor."""
