"""Reads Kubernetes manifests (YAML, several documents per file) and validates them offline:

- every core kind against Kubernetes' own JSON schemas, as the PyPI package kubernetes-validate
  bundles them, for each Kubernetes version asked for, in strict mode (a field the API does not
  define is an error, as with `kubectl apply --validate=strict`);
- KEDA's kinds (keda.sh) against the models PyPI's cloudcoil-models-keda generates from KEDA's CRDs
  (pydantic), switched to reject unknown fields, when that package is importable.

Prints one JSON object: the parsed documents (so the caller needs no YAML parser of its own), the
core results and the KEDA results. Exits 0 when the files parse, whatever the results; 2 when a
file does not parse.

usage: validate_manifests.py --kubernetes-version 1.33 [--kubernetes-version 1.37 ...] FILE...
"""
import argparse
import inspect
import json
import sys

import kubernetes_validate
import yaml
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError, VersionNotSupportedError

KEDA_GROUPS = ("keda.sh/", "eventing.keda.sh/")


def strict_keda_models():
    """KEDA's resource classes by kind, or None without the package. Every pydantic model of the
    package (and cloudcoil's ObjectMeta) is rebuilt with extra='forbid', leaves first (modules list
    their classes in definition order), so an unknown field anywhere fails validation."""
    try:
        import pydantic
        from cloudcoil import apimachinery
        from cloudcoil.models.keda import v1alpha1 as keda
    except ImportError:
        return None
    from importlib.metadata import version

    for module in (apimachinery, keda):
        models = [
            value
            for value in vars(module).values()
            if inspect.isclass(value)
            and issubclass(value, pydantic.BaseModel)
            and value.__module__ == module.__name__
        ]
        for model in models:
            model.model_config["extra"] = "forbid"
        for model in models:
            model.model_rebuild(force=True)
    kinds = {
        name: getattr(keda, name)
        for name in ("ScaledObject", "ScaledJob", "TriggerAuthentication", "ClusterTriggerAuthentication")
    }
    return kinds, f"cloudcoil-models-keda {version('cloudcoil-models-keda')}", pydantic.ValidationError


def describe(document):
    metadata = document.get("metadata") or {}
    return {"kind": document.get("kind"), "name": metadata.get("name")}


def validate_core(source, document, versions):
    results = []
    for wanted in versions:
        result = {"source": source, **describe(document), "version": wanted, "errors": []}
        try:
            kubernetes_validate.validate(document, wanted, strict=True)
            result["status"] = "valid"
        except ValidationError as error:
            path = ".".join(str(part) for part in error.absolute_path)
            result["status"] = "invalid"
            result["errors"].append(f"{path or '(root)'}: {error.message}")
        except SchemaNotFoundError:
            result["status"] = "no-schema"
        except VersionNotSupportedError as error:
            result["status"] = "invalid"
            result["errors"].append(error.message)
        results.append(result)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubernetes-version", action="append", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    documents = []
    for path in args.files:
        try:
            with open(path, encoding="utf-8") as file:
                loaded = list(yaml.safe_load_all(file))
        except yaml.YAMLError as error:
            print(f"{path}: not YAML: {error}", file=sys.stderr)
            return 2
        for index, document in enumerate(loaded):
            if document is not None:
                documents.append({"source": f"{path}#{index}", "file": path, "index": index, "document": document})

    keda = strict_keda_models()
    core_results, keda_results = [], []
    for item in documents:
        source, document = item["source"], item["document"]
        api_version = str(document.get("apiVersion", ""))
        if keda and api_version.startswith(KEDA_GROUPS):
            kinds, _, error_type = keda
            model = kinds.get(document.get("kind"))
            result = {"source": source, **describe(document), "errors": []}
            if model is None:
                result["errors"].append(f"no KEDA model for kind {document.get('kind')}")
            else:
                try:
                    model.model_validate(document)
                except error_type as error:
                    for problem in error.errors():
                        path = ".".join(str(part) for part in problem["loc"])
                        result["errors"].append(f"{path}: {problem['msg']}")
            keda_results.append(result)
            continue
        core_results.extend(validate_core(source, document, args.kubernetes_version))

    json.dump(
        {
            "validator": f"kubernetes-validate {kubernetes_validate.__version__}",
            "documents": documents,
            "kubernetes": core_results,
            "keda": keda_results if keda else None,
            "kedaModels": keda[1] if keda else None,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
