#!/usr/bin/env bash
# The test suite against Node-RED 5 on Node.js 22 (Node-RED 5 needs Node >= 22.9). Node-RED 5 is
# installed into .cache/node-red-5 once; Node 22 comes from the npm package `node`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
home="$root/.cache/node-red-5"
version="${NODE_RED_5_VERSION:-5.0.7}"
if [ "$(node -p "try{require('$home/node_modules/node-red/package.json').version}catch{''}")" != "$version" ]; then
  mkdir -p "$home"
  echo '{"private":true}' > "$home/package.json"
  (cd "$home" && npm install --no-audit --no-fund --no-package-lock "node-red@$version" >/dev/null)
fi
cd "$root"
[ -d dist ] || npm run build
echo "Node-RED $version on $(npx -y -p node@22 node --version)"
[ "$#" -gt 0 ] || set -- "dist/test/**/*.test.js"
NODE_RED_HOME="$home" npx -y -p node@22 node "$root/node_modules/mocha/bin/mocha.js" "$@"
