process TRAIN {
    tag "${meta.id}"
    label 'process_gpu'

    container "${params.container}"

    input:
    tuple val(meta), path(h5ad)

    output:
    tuple val(meta), path("${prefix}.scnet.h5ad")          , emit: h5ad
    tuple val(meta), path("${prefix}.gene_embeddings.tsv")  , emit: gene_embeddings
    tuple val(meta), path("${prefix}.reconstructed.h5ad")   , emit: reconstructed
    tuple val(meta), path("${prefix}.model.pt")             , emit: model
    tuple val(meta), path("${prefix}.history.tsv")          , emit: history
    tuple val(meta), path("${prefix}.train.json")           , emit: json
    tuple val("${task.process}"), val('scnetflow'), eval("python3 -c 'import scnetflow; print(scnetflow.__version__)'"), topic: versions
    tuple val("${task.process}"), val('python'), eval("python3 -c 'import platform; print(platform.python_version())'"), topic: versions
    tuple val("${task.process}"), val('torch'), eval("python3 -c 'import torch; print(torch.__version__)'"), topic: versions
    tuple val("${task.process}"), val('torch_geometric'), eval("python3 -c 'import torch_geometric; print(torch_geometric.__version__)'"), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    // A GPU is used when the task has one (gpu profile: accelerator 1), else params.device (auto|cpu|cuda).
    def device = task.accelerator ? 'cuda' : (task.ext.device ?: 'auto')
    """
    export ${task.ext.threads}
    scnetflow_train.py \\
        ${h5ad} \\
        --outdir . \\
        --prefix ${prefix} \\
        --device ${device} \\
        ${args}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.scnet.h5ad
    touch ${prefix}.gene_embeddings.tsv
    touch ${prefix}.reconstructed.h5ad
    touch ${prefix}.model.pt
    touch ${prefix}.history.tsv
    touch ${prefix}.train.json
    """
}
