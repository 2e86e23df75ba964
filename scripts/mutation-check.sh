#!/usr/bin/env bash
# Mutation check, run by hand (not in CI): break the code one line at a time in a git worktree
# of HEAD and expect a test to fail for each break. This working tree is never modified.
#
#   scripts/mutation-check.sh                 every mutation (baseline first; ~60 min on 2 cores)
#   scripts/mutation-check.sh --list          the mutations, their lines and their tests
#   scripts/mutation-check.sh NAME [NAME...]  only these
#   scripts/mutation-check.sh --no-baseline … skip running the tests unmutated first
#   scripts/mutation-check.sh --all-tests …   run every listed test, not only up to the first failure
#
# Environment: MUTATION_WORKTREE (default <repo>/.build-mutation/tree, git-ignored; its own
# .build: the first build takes ~10 min, later ones are incremental), PULP_BACKFILL_PYTHON
# (default <repo>/.venv/bin/python), SWIFT (default swift).
# Exit: 0 every mutation caught, 1 some missed, 2 the check could not run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/mutation_check.py" "$@"
