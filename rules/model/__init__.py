"""The resolved model of a deployment: what `docker compose config`, BuildKit and the workflows resolve.

Built from the parsers (`rules.parse`) and nothing else; the one thing rules look at:

- `compose`: compose *projects* (include, extends, override files, `COMPOSE_FILE`, `-f` lists the
  repository's scripts use, profiles, interpolation from `.env`), services with every value's origin;
- `dockerfile`: Dockerfile stages, the stage graph, ARGs resolved for a build, what a target ships;
- `builds`: one record per image build and push, from every build path (compose, build-push-action,
  bake, metadata-action tags, `docker build|push|tag|manifest` in run steps, scripts and Makefiles);
- `commands`: every docker command the repository runs, parsed once;
- `deployment`: all of it for one snapshot, built lazily and cached on the snapshot.

`source` holds the value types shared by all: `Origin`, `Located`, `Resolved`, `VariableUse`.
"""
