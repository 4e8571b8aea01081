#!/usr/bin/python3
# Value check of one neutron config file with oslo.config itself (run with Debian's /usr/bin/python3,
# which has oslo.config and neutron). oslo-config-validator checks option names only; this registers
# the options of the given namespaces (oslo.config generator entry points), loads the file and reads
# every key the file sets, so a bad choice or boolean raises ConfigFileValueError.
#
#   oslo_values.py FILE NAMESPACE... [--mechanism-drivers]
#
# Prints one JSON object {"checked": N, "errors": [...], "unchecked": [...], "values": {"section.key":
# repr}} and exits
# 1 when there are errors. --mechanism-drivers also checks [ml2] mechanism_drivers names against the
# neutron.ml2.mechanism_drivers entry points (the option itself is a plain list).
import json
import sys

from oslo_config import cfg
from oslo_config import generator


def check(path, namespaces, check_mech):
    conf = cfg.ConfigOpts()
    for _ns, groups in generator._list_opts(namespaces):
        for group, opts in groups:
            name = getattr(group, "name", group) or "DEFAULT"
            for opt in opts:
                # Only values are checked here: a required option the file leaves unset (e.g. the
                # keystoneauth auth_url of [ironic]) is not this check's business.
                opt.required = False
                try:
                    if name == "DEFAULT":
                        conf.register_opt(opt)
                    else:
                        conf.register_opt(opt, group=name)
                except cfg.DuplicateOptError:
                    pass
    conf(args=["--config-file", path], project="dvr-lab-check", default_config_files=[])
    sections = {}
    cfg.ConfigParser(path, sections).parse()
    errors = []
    values = {}
    unchecked = []
    checked = 0
    for section, keys in sections.items():
        for key in keys:
            try:
                group = conf if section == "DEFAULT" else getattr(conf, section)
                value = getattr(group, key)
            except (cfg.NoSuchOptError, cfg.NoSuchGroupError, AttributeError):
                # Names are oslo-config-validator's job (it knows which groups, such as
                # keystone_authtoken, are registered at run time only).
                unchecked.append("%s/%s" % (section, key))
                continue
            except Exception as e:  # ConfigFileValueError and friends
                errors.append("%s/%s: %s: %s" % (section, key, type(e).__name__, e))
                continue
            checked += 1
            values["%s.%s" % (section, key)] = repr(value)
    if check_mech and "ml2" in sections and "mechanism_drivers" in sections["ml2"]:
        from importlib.metadata import entry_points
        eps = entry_points()
        group = eps.select(group="neutron.ml2.mechanism_drivers") if hasattr(eps, "select") else eps.get("neutron.ml2.mechanism_drivers", [])
        known = set(ep.name for ep in group)
        for name in conf.ml2.mechanism_drivers:
            if name not in known:
                errors.append("ml2/mechanism_drivers: unknown driver %r" % name)
    return {"checked": checked, "errors": errors, "unchecked": unchecked, "values": values}


def main(argv):
    results = {}
    for spec in argv[1:]:
        path, _, rest = spec.partition("=")
        namespaces = [n for n in rest.split(",") if n and n != "+mechanism-drivers"]
        results[path] = check(path, namespaces, "+mechanism-drivers" in rest.split(","))
    print(json.dumps(results))
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
