# SPDX-License-Identifier: Apache-2.0
"""porting-advisor: find what stops a source tree from building and running on Arm64."""

__version__ = "0.1.0"
