#!/usr/bin/env bash
# Fetches the ONNX Runtime shared library from the npm package
# onnxruntime-node into .cache/onnxruntime/. The version must match the C
# headers of github.com/yalue/onnxruntime_go (v1.27.0 -> 1.24.1).
set -euo pipefail
version="${ORT_VERSION:-1.24.1}"
dest="${ORT_CACHE:-.cache/onnxruntime}"
lib="$dest/$version/libonnxruntime.so"
# ONNXRUNTIME_SHARED_LIBRARY_PATH wins over the cache when the library is
# loaded, so a copy it names makes the fetch (npm, network) unnecessary:
# make run/test/train then work where npm is missing or offline. The
# cache path itself is what the Makefile sets when the environment does
# not: that is the cache in use, below, not a copy to say is used instead.
override="${ONNXRUNTIME_SHARED_LIBRARY_PATH:-}"
if [ -n "$override" ] && [ -f "$override" ] && [ "$(realpath -m -- "$override")" != "$(realpath -m -- "$lib")" ]; then
  echo "fetch-onnxruntime: using ONNXRUNTIME_SHARED_LIBRARY_PATH=$override; not fetching into $dest (unset it to fetch)" >&2
  exit 0
fi
# A variable naming no file (other than the cache path itself, which the
# Makefile sets when the environment does not) still wins over the cache:
# nothing would load, and every ONNX Runtime test would fail on the missing
# file. Stop here and say so rather than fetch a library no one loads.
if [ -n "$override" ] && [ "$(realpath -m -- "$override")" != "$(realpath -m -- "$lib")" ]; then
  if [ -f "$lib" ]; then
    use="unset it to use the cached $(realpath -s -- "$lib")"
  else
    use="unset it, and make ort fetches ONNX Runtime $version into $(realpath -m -s -- "$lib")"
  fi
  echo "fetch-onnxruntime: ONNXRUNTIME_SHARED_LIBRARY_PATH=$override names no file, and it wins over the cache: the ONNX Runtime tests would fail and the router model would not load. Point it at an existing libonnxruntime.so, or $use." >&2
  exit 1
fi
if [ -f "$lib" ]; then exit 0; fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) echo "fetch-onnxruntime: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
command -v npm >/dev/null || { echo "fetch-onnxruntime: npm is needed to fetch onnxruntime-node (apt-get install npm)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetching onnxruntime-node@$version from the npm registry" >&2
(cd "$tmp" && npm pack --silent "onnxruntime-node@$version" >/dev/null)
tar -xzf "$tmp"/onnxruntime-node-"$version".tgz -C "$tmp" "package/bin/napi-v6/linux/$arch/"
mkdir -p "$dest/$version"
cp "$tmp/package/bin/napi-v6/linux/$arch/libonnxruntime.so.1" "$lib.tmp"
mv "$lib.tmp" "$lib"
echo "ONNX Runtime $version -> $lib" >&2
