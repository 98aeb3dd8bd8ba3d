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
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    export ${task.ext.threads}
    scnetflow_cluster_eval.py \\
        ${h5ad} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.cluster_eval.tsv
    touch ${prefix}.cluster_eval.json
    touch ${prefix}.clusters.tsv
    """
}
