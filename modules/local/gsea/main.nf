process GSEA {
    tag "${meta.id}"
    label 'process_medium'

    container "${params.container}"

    input:
    tuple val(meta), path(h5ad), path(reconstructed), path(other_h5ad), path(other_reconstructed), path(clusters)   // other_*: [] or the other condition's sample; clusters: [] or cluster-eval's clusters.tsv
    path gmt            // gene sets (GMT), [] for the packaged Reactome sets

    output:
    tuple val(meta), path("${prefix}.gsea_celltype.tsv")  , emit: celltype
    tuple val(meta), path("${prefix}.gsea_conditions.tsv"), emit: conditions, optional: true
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions
    tuple val("${task.process}"), val('gseapy'), eval("python3 -c 'import gseapy; print(gseapy.__version__)'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def gmt_arg = gmt ? [gmt].flatten().collect { f -> "--gmt ${f}" }.join(' ') : ''
    def other_arg = other_h5ad ? "--other-sample ${other_h5ad} ${other_reconstructed}" : ''
    def clusters_arg = clusters ? "--clusters ${clusters}" : ''
    """
    export ${task.ext.threads}
    scnetflow_gsea.py \\
        ${h5ad} \\
        ${reconstructed} \\
        ${other_arg} \\
        ${clusters_arg} \\
        ${gmt_arg} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.gsea_celltype.tsv
    touch ${prefix}.gsea_conditions.tsv
    """
}
