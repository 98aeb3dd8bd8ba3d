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
    path "versions.yml"                                   , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def ppi_arg     = ppi ? "--ppi ${ppi}" : ''
    def gmt_arg     = gmt ? [gmt].flatten().collect { f -> "--gmt ${f}" }.join(' ') : ''
    def disease_arg = disease_gmt ? "--disease-gmt ${disease_gmt}" : ''
    """
    export OMP_NUM_THREADS=${task.cpus} MKL_NUM_THREADS=${task.cpus} NUMBA_NUM_THREADS=${task.cpus}
    scnetflow_evaluate_network.py \\
        ${coembed_edges} \\
        ${coexpr_edges} \\
        ${ppi_arg} \\
        ${gmt_arg} \\
        ${disease_arg} \\
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
    touch ${prefix}.pathway_auc.tsv
    touch ${prefix}.disease_zscores.tsv
    touch ${prefix}.network_eval.json
    touch versions.yml
    """
}
