"""Docker knowledge over the model, written once for every rule.

- `images`: whether an image reference moves (the one answer to "is this tag pinned?");
- `secrets`: secret-looking names and values, and masking them;
- `databases`: databases and other stateful images, and where they keep their data;
- `devservers`: development servers started as a container's command;
- `platforms`: platforms and runner architectures;
- `builds`: which Dockerfile a compose service or a workflow step builds;
- `commands`: docker commands found in shell code, for the rules that read them.

Rules import this layer and the model; they never import each other.
"""
