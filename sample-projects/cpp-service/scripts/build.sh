#!/bin/sh
# Build the service and its protobuf stubs.
set -eu
PROTOC_VERSION=25.1
curl -fsSLO "https://github.com/protocolbuffers/protobuf/releases/download/v${PROTOC_VERSION}/protoc-${PROTOC_VERSION}-linux-x86_64.zip"
unzip -o "protoc-${PROTOC_VERSION}-linux-x86_64.zip" -d /opt/protoc
CXX=${CXX:-x86_64-linux-gnu-g++}
cmake -S . -B build -DCMAKE_CXX_COMPILER="$CXX"
cmake --build build -j
