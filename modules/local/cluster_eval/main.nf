process CLUSTER_EVAL {
    tag "${meta.id}"
    label 'process_low'

    container "${params.container}"

    input:
    tuple val(meta), path(h5ad)

    output:
    tuple val(meta), path("${prefix}.cluster_eval.tsv") , emit: tsv
    tuple val(meta), path("${prefix}.cluster_eval.json"), emit: json
    tuple val(meta), path("${prefix}.clusters.tsv")     , emit: clusters
    path "versions.yml"                                 , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    export OMP_NUM_THREADS=${task.cpus} MKL_NUM_THREADS=${task.cpus} NUMBA_NUM_THREADS=${task.cpus}
    scnetflow_cluster_eval.py \\
        ${h5ad} \\
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
    touch ${prefix}.cluster_eval.tsv
    touch ${prefix}.cluster_eval.json
    touch ${prefix}.clusters.tsv
    touch versions.yml
    """
}
