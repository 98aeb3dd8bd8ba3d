process PROPAGATE {
    tag "${meta.id}"
    label 'process_low'

    container "${params.container}"

    input:
    tuple val(meta), path(edges)

    output:
    tuple val(meta), path("${prefix}.propagation.tsv"), emit: tsv
    path "versions.yml"                               , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    scnetflow_propagate.py \\
        ${edges} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        scnetflow: \$(python3 -c 'import scnetflow; print(scnetflow.__version__)')
        python: \$(python3 -c 'import platform; print(platform.python_version())')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.propagation.tsv
    touch versions.yml
    """
}
