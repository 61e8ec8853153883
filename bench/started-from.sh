# Sourced by the benches that start their stack with bin/sluice-local. started_from <its output>: how the api started,
# for the report, since both move the figures: from the jars or from the AOT caches `bin/sluice-local train` made
# (docs/operations.md, "Warm starts"; SLUICE_AOT_CACHE=off), and with which JVM options (SLUICE_JAVA_OPTIONS;
# docs/operations.md, "JVM options").
started_from() {
    local from="the jars" options
    grep -q "^started api .*from its AOT cache" "$1" && from="their AOT caches (bin/sluice-local train)"
    options=$(sed -nE 's/^started api .*, with ([^)]*)\)$/\1/p' "$1")
    [[ -n $options ]] || options="the JVM's default options (SLUICE_JAVA_OPTIONS unset)"
    echo "$from, with $options"
}
