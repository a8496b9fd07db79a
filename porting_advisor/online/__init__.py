# SPDX-License-Identifier: Apache-2.0
"""`--online`: ask the package registries the user's own tools are configured with."""
