# SPDX-License-Identifier: Apache-2.0
"""`porting-advisor mcp`: the scanner and its knowledge as Model Context Protocol tools."""
