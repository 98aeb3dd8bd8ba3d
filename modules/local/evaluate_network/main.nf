process EVALUATE_NETWORK {
    tag "${meta.id}"
    label 'process_medium'

    container "${params.container}"

    input:
    tuple val(meta), path(coembed_edges), path(coexpr_edges)
    path ppi            // PPI table, [] for the packaged human network
    path gmt            // pathway GMT(s), [] for the packaged Reactome sets
    path disease_gmt    // disease gene lists (GMT), [] to skip the z-scores

    output:
    tuple val(meta), path("${prefix}.pathway_auc.tsv")   , emit: pathway_auc
    tuple val(meta), path("${prefix}.disease_zscores.tsv"), emit: disease_zscores, optional: true
    tuple val(meta), path("${prefix}.network_eval.json")  , emit: json
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def ppi_arg     = ppi ? "--ppi ${ppi}" : ''
    def gmt_arg     = gmt ? [gmt].flatten().collect { f -> "--gmt ${f}" }.join(' ') : ''
    def disease_arg = disease_gmt ? "--disease-gmt ${disease_gmt}" : ''
    """
    export ${task.ext.threads}
    scnetflow_evaluate_network.py \\
        ${coembed_edges} \\
        ${coexpr_edges} \\
        ${ppi_arg} \\
        ${gmt_arg} \\
        ${disease_arg} \\
        --outdir . \\
        --prefix ${prefix} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.pathway_auc.tsv
    touch ${prefix}.disease_zscores.tsv
    touch ${prefix}.network_eval.json
    """
}
